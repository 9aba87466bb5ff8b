package io.shardkit.failover.analysis;

import static io.shardkit.failover.analysis.Testimony.secs;

import io.shardkit.failover.analysis.Testimony.Kind;
import io.shardkit.mysql.GtidSet;
import io.shardkit.mysql.ReplicaStatus.ThreadState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * From a {@link GroupSnapshot} to an {@link Analysis}: pure and deterministic, no clock, no server.
 *
 * <p>Order of judgement. First the manager's own probe: answered and committing (alive), answered
 * read-only, stalled (TCP accepted but the session or the heartbeat commit did not finish), or lost
 * (refused, timed out). A primary the manager reaches is judged on its replicas' health. A primary
 * it does not reach is judged on the other witnesses, and proof of life always beats absence of
 * answers: one streaming replica, or one other zone that gets an answer, and there is no failover.
 * See {@link AnalysisCode} for the exact evidence of each code.
 */
public final class Analyzer {

    private final AnalysisSettings settings;

    public Analyzer(AnalysisSettings settings) {
        this.settings = Objects.requireNonNull(settings);
    }

    /** How the manager's probe found the primary. */
    private enum ManagerView { ALIVE, READ_ONLY, STALLED, LOST }

    private record Verdict(AnalysisCode code, String why) {}

    public Analysis analyze(GroupSnapshot s) {
        return withLock(s, analyzeUnlocked(s));
    }

    /** The analysis as if nobody held the group lock ({@link HostAnalyzer} judges a host on what is wrong, held or not). */
    Analysis analyzeUnlocked(GroupSnapshot s) {
        List<String> facts = new ArrayList<>();
        ManagerView manager = managerView(s.primaryProbe());
        facts.add(managerLine(s));
        List<Testimony> testimonies = s.replicas().stream().map(r -> Testimony.of(r, s.primary().instance(), settings.silenceLimit())).toList();
        testimonies.forEach(t -> facts.add(t.line()));
        for (VantageProbe v : s.vantages()) {
            facts.add("from zone " + v.zone() + " (" + v.fromHost() + "): " + v.reach().word() + (v.error() == null ? "" : " (" + v.error() + ")"));
        }
        // the host is asked only on suspicion (and only with exec access): a healthy round says nothing of it
        if (s.primaryProbe().reach() != Reach.ANSWERED || s.primaryHost() != HostAnswer.NOT_PROBED) {
            facts.add("host " + s.primary().host() + " of the primary: " + switch (s.primaryHost()) {
                case ANSWERS -> "runs commands";
                case SILENT -> "does not run commands";
                case NOT_PROBED -> "not asked (no exec access)";
            });
        }
        Verdict v = switch (manager) {
            case ALIVE, READ_ONLY -> primaryAnswers(s, manager, testimonies, facts);
            case STALLED, LOST -> primaryLost(s, manager, testimonies);
        };
        List<String> evidence = new ArrayList<>();
        evidence.add(v.why());
        evidence.addAll(facts);
        return new Analysis(s.group(), v.code(), s.takenAt(), evidence);
    }

    static Analysis withLock(GroupSnapshot s, Analysis a) {
        if (s.lockedBy() == null || a.code() == AnalysisCode.NoProblem) return a;
        List<String> evidence = new ArrayList<>();
        evidence.add("group lock held by " + s.lockedBy() + ": " + a.code() + " deferred until it is released");
        evidence.addAll(a.evidence());
        return new Analysis(a.group(), AnalysisCode.GroupLocked, a.at(), evidence);
    }

    private ManagerView managerView(PrimaryProbe p) {
        return switch (p.reach()) {
            case REFUSED, TIMED_OUT -> ManagerView.LOST;
            case STALLED -> ManagerView.STALLED;
            case ANSWERED -> {
                if (p.readOnly() || p.superReadOnly()) yield ManagerView.READ_ONLY;
                if (p.heartbeatCommit() != null && p.heartbeatCommit().compareTo(settings.stallTimeout()) > 0) yield ManagerView.STALLED;
                yield ManagerView.ALIVE;
            }
        };
    }

    private String managerLine(GroupSnapshot s) {
        PrimaryProbe p = s.primaryProbe();
        String head = "primary " + s.primary().instance() + " (host " + s.primary().host() + ", zone " + s.primary().zone() + ") to the manager: ";
        if (p.reach() != Reach.ANSWERED) return head + p.reach().word() + (p.error() == null ? "" : " (" + p.error() + ")");
        String ro = p.superReadOnly() ? "super_read_only" : p.readOnly() ? "read_only" : "writable";
        String commit = p.heartbeatCommit() == null ? "no heartbeat written"
                : "heartbeat committed in " + secs(p.heartbeatCommit()) + " (stall limit " + secs(settings.stallTimeout()) + ")";
        return head + "answered, " + ro + ", " + commit + (p.executed() == null ? "" : ", executed " + p.executed().format());
    }

    private Verdict primaryLost(GroupSnapshot s, ManagerView manager, List<Testimony> testimonies) {
        String primary = s.primary().instance();
        String how = manager == ManagerView.STALLED ? "sees " + primary + " stalled" : "lost " + primary;
        List<String> rivals = names(s.replicas(), r -> r.reachable() && r.writable() && r.source() == null);
        if (!rivals.isEmpty()) {
            return new Verdict(AnalysisCode.InconsistentTopology, "the manager " + how + " while " + String.join(", ", rivals)
                    + " accept writes and replicate from nobody: another primary may exist already; no failover on top of it");
        }
        List<String> streaming = testified(testimonies, Kind.STREAMING);
        List<String> lost = testified(testimonies, Kind.LOST);
        List<String> reachingZones = s.vantages().stream().filter(v -> v.reach() == Reach.ANSWERED).map(VantageProbe::zone).distinct().toList();
        if (!streaming.isEmpty()) {
            if (manager == ManagerView.STALLED) {
                return new Verdict(AnalysisCode.StalledPrimaryReplicasConnected, "the manager " + how + " but " + String.join(", ", streaming)
                        + " still stream from it: alive, no failover");
            }
            return new Verdict(AnalysisCode.UnreachablePrimary, "the manager " + how + " but " + String.join(", ", streaming)
                    + " still stream from it: it lives, only the manager's path is cut");
        }
        if (!reachingZones.isEmpty()) {
            if (!lost.isEmpty()) {
                return new Verdict(AnalysisCode.PartitionedPrimary, String.join(", ", lost) + " and the manager lost " + primary + " but zone "
                        + String.join(", ", reachingZones) + " still reaches it: a partition, not a death; a failover would make two primaries");
            }
            return new Verdict(AnalysisCode.UnreachablePrimary, "the manager " + how + " but zone " + String.join(", ", reachingZones)
                    + " still reaches it: only the manager's path is cut");
        }
        String confirmed;
        if (!lost.isEmpty()) {
            confirmed = String.join(", ", lost) + " lost it too and no replica streams";
        } else if (!s.vantages().isEmpty()) {
            confirmed = "no replica can tell and every other zone's probe failed ("
                    + String.join(", ", s.vantages().stream().map(VantageProbe::zone).distinct().toList()) + ")";
        } else {
            return new Verdict(AnalysisCode.UnconfirmedPrimaryFailure, "the manager " + how
                    + " and nothing else can confirm or refute it: no replica testimony, no probe from another zone");
        }
        long reachable = s.replicas().stream().filter(ReplicaView::reachable).count();
        if (reachable == 0) {
            return new Verdict(AnalysisCode.DeadPrimaryWithoutReplicas, "the manager " + how + ", " + confirmed + "; no replica answers: nobody to promote");
        }
        if (manager == ManagerView.STALLED) {
            return new Verdict(AnalysisCode.StalledPrimary, "the manager " + how + ", " + confirmed + ": fence it before promoting, it may resume");
        }
        if (s.primaryProbe().reach() == Reach.TIMED_OUT && s.primaryHost() == HostAnswer.SILENT) {
            return new Verdict(AnalysisCode.DeadHost, "the manager lost " + primary + ", " + confirmed + ", and its host " + s.primary().host()
                    + " does not run commands: the machine is gone");
        }
        if (reachable == s.replicas().size()) {
            return new Verdict(AnalysisCode.DeadPrimary, "the manager lost " + primary + ", " + confirmed);
        }
        return new Verdict(AnalysisCode.DeadPrimaryAndSomeReplicas, "the manager lost " + primary + ", " + confirmed + "; "
                + (s.replicas().size() - reachable) + " of " + s.replicas().size() + " replicas do not answer either");
    }

    private Verdict primaryAnswers(GroupSnapshot s, ManagerView manager, List<Testimony> testimonies, List<String> facts) {
        String primary = s.primary().instance();
        List<ReplicaView> reachable = s.replicas().stream().filter(ReplicaView::reachable).toList();
        List<String> writable = names(reachable, ReplicaView::writable);
        if (!writable.isEmpty()) {
            List<String> rivals = names(reachable, r -> r.writable() && r.source() == null);
            if (manager == ManagerView.READ_ONLY && !rivals.isEmpty()) {
                return new Verdict(AnalysisCode.InconsistentTopology, primary + " is read-only while " + String.join(", ", rivals)
                        + " accept writes and replicate from nobody: another member may have been promoted");
            }
            return new Verdict(AnalysisCode.ExtraWritable, "besides the primary " + primary + ", " + String.join(", ", writable) + " accept writes: fence them");
        }
        GtidSet primarySet = s.primaryProbe().executed();
        List<String> errant = new ArrayList<>();
        for (ReplicaView r : reachable) {
            if (primarySet == null || r.executed() == null) continue;
            if (r.executed().family() != primarySet.family()) {
                return new Verdict(AnalysisCode.InconsistentTopology, r.instance() + " reports " + r.executed().family() + " GTIDs, the primary "
                        + primarySet.family() + " ones: these cannot be one group");
            }
            GtidSet extra = r.executed().subtract(primarySet);
            if (!extra.isEmpty()) errant.add(r.instance() + " (" + r.executed().countMissingFrom(primarySet) + ": " + extra.format() + ")");
        }
        if (manager == ManagerView.READ_ONLY) {
            return new Verdict(AnalysisCode.PrimaryReadOnly, primary + " answers but refuses writes and no other member accepts them: the group has no writer");
        }
        if (!errant.isEmpty()) {
            return new Verdict(AnalysisCode.ErrantGtid, "replicas hold transactions the primary lacks: " + String.join("; ", errant));
        }
        List<String> unreachable = names(s.replicas(), r -> !r.reachable());
        if (!unreachable.isEmpty()) {
            return new Verdict(AnalysisCode.ReplicasUnreachable, String.join(", ", unreachable) + " do not answer the manager; the primary is fine");
        }
        List<String> stopped = testimonies.stream().filter(t -> t.kind() != Kind.STREAMING || t.replica().sql() != ThreadState.RUNNING)
                .map(t -> t.replica().instance()).toList();
        if (!stopped.isEmpty()) {
            return new Verdict(AnalysisCode.ReplicationStopped, String.join(", ", stopped) + " do not replicate from " + primary + "; the primary is fine");
        }
        List<String> lagging = new ArrayList<>();
        for (ReplicaView r : reachable) {
            if (r.lag() != null && r.lag().compareTo(settings.lagLimit()) > 0) lagging.add(r.instance() + " " + secs(r.lag()));
        }
        if (!lagging.isEmpty()) facts.add("lagging past " + secs(settings.lagLimit()) + ": " + String.join(", ", lagging));
        if (!reachable.isEmpty() && lagging.size() == reachable.size()) {
            return new Verdict(AnalysisCode.AllReplicasLagging, "every replica lags past " + secs(settings.lagLimit()) + ": nothing fresh to fail over to");
        }
        return new Verdict(AnalysisCode.NoProblem, primary + " answers and commits; " + reachable.size() + " replicas stream from it");
    }

    private static List<String> testified(List<Testimony> testimonies, Kind kind) {
        return testimonies.stream().filter(t -> t.kind() == kind).map(t -> t.replica().instance()).toList();
    }

    private static List<String> names(List<ReplicaView> replicas, Predicate<ReplicaView> p) {
        return replicas.stream().filter(p).map(ReplicaView::instance).toList();
    }
}
