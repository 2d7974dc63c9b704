package io.stsdane.relay.dns.internal;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Turns one response into either a final {@link DnsResult} or the next name to ask for, when the resolver
 * returned a CNAME without following it. Everything hostile (a question that was not asked, a CNAME loop, a
 * chain or an RRset beyond the caps) becomes an ERROR result. Immutable and thread-safe.
 */
final class ResponseReader {

    /** What reading a response leads to. */
    sealed interface Step {
        record Done(DnsResult<Record> result) implements Step {
        }

        record Follow(Lookup lookup) implements Step {
        }
    }

    private final SecurityClassifier classifier;
    private final int maxRecords;
    private final int maxChain;

    ResponseReader(SecurityClassifier classifier, int maxRecords, int maxChain) {
        this.classifier = classifier;
        this.maxRecords = maxRecords;
        this.maxChain = maxChain;
    }

    Step read(Message response, Lookup lookup, int type) {
        Name asked = Names.toName(lookup.current());
        Record question = response.getQuestion();
        if (question == null || !question.getName().equals(asked) || question.getType() != type) {
            return done(lookup.error(DnsSecurity.INDETERMINATE, "response answers a question that was not asked: "
                    + (question == null ? "none" : question.getName() + " " + Type.string(question.getType()))));
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return done(lookup.error(classifier.ofFailure(response), SecurityClassifier.reason(response)));
        }
        Lookup state = lookup.withSecurity(classifier.ofAnswer(response));
        Map<Name, Map<Integer, RRset>> answer = new HashMap<>();
        int count = 0;
        for (RRset set : response.getSectionRRsets(Section.ANSWER)) {
            count += set.size();
            answer.computeIfAbsent(set.getName(), k -> new HashMap<>()).put(set.getType(), set);
        }
        if (count > maxRecords) {
            return done(state.error(DnsSecurity.INDETERMINATE,
                    "answer holds " + count + " records, more than the limit of " + maxRecords));
        }
        Name current = asked;
        while (true) {
            Map<Integer, RRset> atName = answer.getOrDefault(current, Map.of());
            RRset data = atName.get(type);
            if (data != null) {
                return done(state.done(DnsStatus.NOERROR, List.copyOf(data.rrs()), data.getTTL()));
            }
            RRset cname = atName.get(Type.CNAME);
            if (cname == null || type == Type.CNAME) {
                break;
            }
            String target = Names.canonical(((CNAMERecord) cname.first()).getTarget());
            if (state.hasVisited(target)) {
                return done(state.error(DnsSecurity.INDETERMINATE, "CNAME loop: " + state.name() + " -> "
                        + String.join(" -> ", state.chain()) + " -> " + target));
            }
            if (state.chain().size() >= maxChain) {
                return done(state.error(DnsSecurity.INDETERMINATE,
                        "CNAME chain from " + state.name() + " longer than " + maxChain));
            }
            state = state.withLink(target, cname.getTTL());
            current = Names.toName(target);
        }
        SOARecord soa = soa(response);
        if (rcode == Rcode.NOERROR && soa == null && !current.equals(asked)) {
            // The resolver stopped at a CNAME it did not follow: ask for the target ourselves.
            return new Step.Follow(state);
        }
        // Negative answers are cached for min(SOA TTL, SOA MINIMUM) (RFC 2308 §5); without SOA, not at all.
        long negativeTtl = soa == null ? 0 : Math.min(soa.getTTL(), soa.getMinimum());
        return done(state.done(rcode == Rcode.NXDOMAIN ? DnsStatus.NXDOMAIN : DnsStatus.NODATA, List.of(), negativeTtl));
    }

    private static Step done(DnsResult<Record> result) {
        return new Step.Done(result);
    }

    private static SOARecord soa(Message response) {
        for (Record r : response.getSection(Section.AUTHORITY)) {
            if (r instanceof SOARecord s) {
                return s;
            }
        }
        return null;
    }
}
