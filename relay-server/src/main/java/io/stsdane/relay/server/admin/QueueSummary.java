package io.stsdane.relay.server.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shape of the queue, as Postfix's {@code qshape}: pending recipients by destination domain and age bucket
 * (minutes since the message was received: 0-5, 5-10, 10-20 ... doubling, then the rest), and by the reason of
 * their last deferral. Immutable.
 *
 * @param buckets the upper bound of each age bucket in minutes; the last bucket has no bound ({@code -1})
 * @param domains one row per destination domain, most recipients first
 * @param reasons one row per last deferral reason (status code and reply), most recipients first;
 *     {@code not tried yet} for recipients without an attempt
 */
public record QueueSummary(List<Long> buckets, List<DomainRow> domains, List<ReasonRow> reasons) {

    /** Upper bounds in minutes, as qshape's default: 5, 10, 20 ... 1280, then everything older. */
    static final List<Long> BOUNDS = List.of(5L, 10L, 20L, 40L, 80L, 160L, 320L, 640L, 1280L, -1L);

    public QueueSummary {
        buckets = List.copyOf(buckets);
        domains = List.copyOf(domains);
        reasons = List.copyOf(reasons);
    }

    /** @param counts pending recipients per bucket, same order as {@link #buckets()} */
    public record DomainRow(String domain, long total, List<Long> counts) {
        public DomainRow {
            counts = List.copyOf(counts);
        }
    }

    public record ReasonRow(String reason, long recipients) {
    }

    /** Counts the pending recipients of {@code messages} at {@code now}. */
    public static QueueSummary of(List<QueueMessage> messages, Instant now) {
        Map<String, long[]> byDomain = new TreeMap<>();
        Map<String, Long> byReason = new TreeMap<>();
        for (QueueMessage m : messages) {
            int bucket = bucket(Duration.between(m.received(), now));
            for (QueueMessage.QueueRecipient r : m.recipients()) {
                if (r.nextAttempt() == null) {
                    continue; // delivered or bounced
                }
                byDomain.computeIfAbsent(r.domain(), d -> new long[BOUNDS.size()])[bucket]++;
                byReason.merge(QueueReason.of(r).orElse("not tried yet"), 1L, Long::sum);
            }
        }
        List<DomainRow> domains = new ArrayList<>();
        byDomain.forEach((d, c) -> domains.add(new DomainRow(d, java.util.Arrays.stream(c).sum(),
                java.util.Arrays.stream(c).boxed().toList())));
        domains.sort(Comparator.comparingLong(DomainRow::total).reversed());
        List<ReasonRow> reasons = new ArrayList<>();
        byReason.forEach((why, n) -> reasons.add(new ReasonRow(why, n)));
        reasons.sort(Comparator.comparingLong(ReasonRow::recipients).reversed());
        return new QueueSummary(BOUNDS, domains, reasons);
    }

    private static int bucket(Duration age) {
        long minutes = Math.max(0, age.toMinutes());
        for (int i = 0; i < BOUNDS.size() - 1; i++) {
            if (minutes < BOUNDS.get(i)) {
                return i;
            }
        }
        return BOUNDS.size() - 1;
    }
}
