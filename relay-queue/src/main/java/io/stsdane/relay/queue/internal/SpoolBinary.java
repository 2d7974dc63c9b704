package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.delivery.AttemptSecurity;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The binary encoding of envelopes and states in journal segments of version 3 (see docs/queue.md for the
 * layout), written with a {@link BinaryWriter}: every component in declaration order, lists as a count and their
 * items. Enum constants are stored by ordinal, so a constant is only ever added at the end of its enum
 * ({@code SpoolBinaryTest} pins the bytes and the order of each such enum). Stateless.
 */
final class SpoolBinary {

    private static final Ret[] RET = Ret.values();
    private static final Notify[] NOTIFY = Notify.values();
    private static final RecipientState.Status[] STATUS = RecipientState.Status.values();
    private static final RecipientState.Report[] REPORT = RecipientState.Report.values();
    private static final RecipientOutcome.Kind[] KIND = RecipientOutcome.Kind.values();
    private static final PolicyOrigin[] ORIGIN = PolicyOrigin.values();
    private static final TlsLevel[] LEVEL = TlsLevel.values();
    /** The fewest bytes an encoded recipient, DKIM signature, recipient state or attempt takes. */
    private static final int MIN_ITEM = 4;

    private SpoolBinary() {
    }

    static byte[] encode(Envelope e) {
        BinaryWriter w = new BinaryWriter(128 + 64 * e.recipients().size());
        w.writeString(e.sender());
        w.writeInt(e.recipients().size());
        for (Recipient r : e.recipients()) {
            w.writeString(r.address());
            int notify = 0;
            for (Notify n : r.notifyOn()) {
                notify |= 1 << n.ordinal();
            }
            w.writeByte(notify);
            w.writeString(r.orcpt());
        }
        w.writeEnum(e.ret());
        w.writeString(e.envid());
        w.writeByte((e.requireTls() ? 1 : 0) | (e.smtpUtf8() ? 2 : 0) | (e.eightBitMime() ? 4 : 0)
                | (e.tlsReport() ? 8 : 0));
        w.writeInstant(e.receivedAt());
        w.writeString(e.client());
        w.writeInt(e.dkimSignatures().size());
        for (DkimSignature d : e.dkimSignatures()) {
            w.writeString(d.domain());
            w.writeString(d.selector());
            w.writeString(d.algorithm());
        }
        return w.toByteArray();
    }

    static Envelope envelope(byte[] buf, int offset, int length) throws CorruptEntryException {
        BinaryReader r = new BinaryReader(buf, offset, length);
        try {
            String sender = r.readString();
            int count = r.readCount(MIN_ITEM);
            List<Recipient> recipients = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String address = r.readString();
                int notify = r.readByte();
                Set<Notify> notifyOn = EnumSet.noneOf(Notify.class);
                for (Notify n : NOTIFY) {
                    if ((notify & (1 << n.ordinal())) != 0) {
                        notifyOn.add(n);
                    }
                }
                recipients.add(new Recipient(address, notifyOn, r.readString()));
            }
            Ret ret = r.readEnum(RET);
            String envid = r.readString();
            int flags = r.readByte();
            var receivedAt = r.readInstant();
            String client = r.readString();
            int signatures = r.readCount(MIN_ITEM);
            List<DkimSignature> dkim = new ArrayList<>(signatures);
            for (int i = 0; i < signatures; i++) {
                dkim.add(new DkimSignature(r.readString(), r.readString(), r.readString()));
            }
            r.expectEnd();
            return new Envelope(sender, recipients, ret, envid, (flags & 1) != 0, (flags & 2) != 0,
                    (flags & 4) != 0, receivedAt, client, (flags & 8) != 0, dkim);
        } catch (RuntimeException e) {
            throw new CorruptEntryException("binary envelope does not read: " + e.getMessage());
        }
    }

    static byte[] encode(MessageState s) {
        BinaryWriter w = new BinaryWriter(64 + 96 * s.recipients().size());
        w.writeBoolean(s.held());
        w.writeInstant(s.reportDue());
        w.writeInt(s.recipients().size());
        for (RecipientState r : s.recipients()) {
            w.writeEnum(r.status());
            w.writeInt(r.attempts());
            w.writeInstant(r.nextAttempt());
            w.writeInstant(r.lastAttempt());
            w.writeString(r.lastStatus());
            w.writeString(r.lastDiagnostic());
            w.writeString(r.remoteMta());
            w.writeEnum(r.report());
            w.writeBoolean(r.delayWarned());
            w.writeInt(r.history().size());
            for (Attempt a : r.history()) {
                write(w, a);
            }
        }
        return w.toByteArray();
    }

    private static void write(BinaryWriter w, Attempt a) {
        w.writeInstant(a.at());
        w.writeEnum(a.kind());
        w.writeString(a.status());
        w.writeString(a.diagnostic());
        w.writeString(a.remoteMta());
        AttemptSecurity s = a.security();
        w.writeBoolean(s != null);
        if (s != null) {
            w.writeEnum(s.policySource());
            w.writeEnum(s.policyLevel());
            w.writeString(s.tlsProtocol());
            w.writeString(s.tlsCipher());
            w.writeByte(s.verified() == null ? 0 : s.verified() ? 2 : 1);
            w.writeString(s.verification());
        }
    }

    static MessageState state(byte[] buf, int offset, int length) throws CorruptEntryException {
        BinaryReader r = new BinaryReader(buf, offset, length);
        try {
            boolean held = r.readBoolean();
            var reportDue = r.readInstant();
            int count = r.readCount(MIN_ITEM);
            List<RecipientState> recipients = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                var status = r.readEnum(STATUS);
                int attempts = r.readInt();
                var next = r.readInstant();
                var last = r.readInstant();
                String lastStatus = r.readString();
                String lastDiagnostic = r.readString();
                String remoteMta = r.readString();
                var report = r.readEnum(REPORT);
                boolean warned = r.readBoolean();
                int attemptCount = r.readCount(MIN_ITEM);
                List<Attempt> history = new ArrayList<>(attemptCount);
                for (int k = 0; k < attemptCount; k++) {
                    history.add(attempt(r));
                }
                recipients.add(new RecipientState(status, attempts, next, last, lastStatus, lastDiagnostic,
                        remoteMta, report, warned, history));
            }
            r.expectEnd();
            return new MessageState(held, recipients, reportDue);
        } catch (RuntimeException e) {
            throw new CorruptEntryException("binary state does not read: " + e.getMessage());
        }
    }

    private static Attempt attempt(BinaryReader r) throws CorruptEntryException {
        var at = r.readInstant();
        var kind = r.readEnum(KIND);
        String status = r.readString();
        String diagnostic = r.readString();
        String remoteMta = r.readString();
        AttemptSecurity security = null;
        if (r.readBoolean()) {
            var origin = r.readEnum(ORIGIN);
            var level = r.readEnum(LEVEL);
            String protocol = r.readString();
            String cipher = r.readString();
            int verified = r.readByte();
            if (verified < 0 || verified > 2) {
                throw new CorruptEntryException("binary state: " + verified + " is not a verification result");
            }
            security = new AttemptSecurity(origin, level, protocol, cipher,
                    verified == 0 ? null : verified == 2, r.readString());
        }
        return new Attempt(at, kind, status, diagnostic, remoteMta, security);
    }
}
