package io.shardkit.failover.analysis;

/**
 * Named failure modes of one group (orchestrator's analysis codes, for primary + replicas only), and
 * the table saying what each calls for and whether the monitor may do it unattended. Each code's
 * comment states the evidence {@link Analyzer} needs for it.
 *
 * <p>Words used below. The manager <em>lost</em> the primary when its probe was refused or timed out.
 * A replica <em>streams</em> when it follows the primary, its IO thread runs and it heard from the
 * primary (event or heartbeat) within {@link AnalysisSettings#silenceLimit()}; it <em>lost</em> the
 * primary when its IO thread is connecting, or runs but heard nothing for longer than that limit. A
 * replica whose IO thread is stopped, that follows someone else, or that does not answer, testifies
 * neither way. The failure is <em>confirmed</em> when at least one replica lost the primary, or, with
 * no replica testimony at all, when every vantage probe from another zone failed too; it is
 * <em>refuted</em> by one streaming replica or one vantage probe that got an answer.
 */
public enum AnalysisCode {
    NoProblem(Action.NONE, false),

    /**
     * Manager lost the primary, confirmed, not refuted; every replica answers the manager. Why every
     * reachable replica must have lost it: a single replica still streaming proves the primary lives
     * and only the manager's path is cut (that is {@link #UnreachablePrimary}).
     */
    DeadPrimary(Action.FAILOVER, true),
    /** As {@link #DeadPrimary}, but some replicas do not answer the manager either (at least one does). */
    DeadPrimaryAndSomeReplicas(Action.FAILOVER, true),
    /**
     * As {@link #DeadPrimary} (or its "some replicas" form), and the primary's connection timed out
     * while its host does not run a command either: the machine is gone, not only mysqld. The recovery
     * cannot salvage binlogs from it and must fence it by other means; every group with a member there
     * is one event ({@link HostAnalyzer}). A silent host alone never confirms anything: the manager's
     * path to it is the same path that already failed.
     */
    DeadHost(Action.FAILOVER, true),
    /**
     * The primary is gone by the confirmed evidence above, but no replica answers the manager (or the
     * group has none): there is nobody to promote.
     */
    DeadPrimaryWithoutReplicas(Action.ALERT, false),
    /**
     * The manager lost the primary, but a replica still streams from it or another zone's probe got
     * an answer: the primary lives and only the manager's path is cut. Failing over would make two
     * primaries.
     */
    UnreachablePrimary(Action.ALERT, false),
    /**
     * The manager and the replicas lost the primary, yet another zone still reaches it: a network
     * partition, not a death. A failover would leave two primaries, each reachable by someone.
     */
    PartitionedPrimary(Action.ALERT, false),
    /**
     * The primary accepts connections but does not answer, or answers but its heartbeat commit hangs
     * (past {@link AnalysisSettings#stallTimeout()}), and the failure is confirmed: the replicas lost it
     * too. A stalled process may resume at any moment, so the recovery must fence it before promoting.
     */
    StalledPrimary(Action.FAILOVER, true),
    /**
     * Stalled as above, but a replica still streams from it (a SIGSTOP seconds ago, before the
     * replicas' silence limit; a commit that waits on a lock or on semi-sync while the binlog still
     * flows). Not a failover: the server is alive, and a failover would not cure a lock storm.
     */
    StalledPrimaryReplicasConnected(Action.ALERT, false),
    /**
     * The manager lost (or sees stalled) the primary, nothing refutes it, and nothing confirms it: no
     * replica has testimony and no vantage probe exists. A failover is what an operator would do once
     * they confirm it by hand, never automatically.
     */
    UnconfirmedPrimaryFailure(Action.FAILOVER, false),
    /**
     * The primary answers but read_only or super_read_only is on, and no other member is writable:
     * the group has no writer. Not fixed automatically: a fenced old primary, a frozen cutover source
     * and a server restarted read-only on purpose all look like this.
     */
    PrimaryReadOnly(Action.ALERT, false),
    /**
     * The primary is writable and another member is writable too (a replica with read_only off, or a
     * member that replicates from nobody: a rival primary). Fencing the extra writer loses nothing
     * acknowledged and keeps invariant 3 (never two writable primaries), so it runs unattended.
     */
    ExtraWritable(Action.FENCE_ONLY, true),
    /**
     * The snapshot does not describe one primary with its replicas: with the primary lost or
     * read-only, another member is writable and replicates from nobody (a promotion someone else
     * made?), or members report GTIDs of different dialects. No failover on top of that.
     */
    InconsistentTopology(Action.ALERT, false),
    /**
     * The primary is fine and a replica holds transactions the primary lacks (written on the replica
     * itself). Promoting that replica later would ship them to every member; the election refuses it.
     */
    ErrantGtid(Action.ALERT, false),
    /** The primary is fine and some replicas do not answer the manager: less to fail over to. */
    ReplicasUnreachable(Action.ALERT, false),
    /**
     * The primary is fine and a reachable replica does not replicate from it: an IO or SQL thread not
     * running, silence past the limit, or another source (or none).
     */
    ReplicationStopped(Action.ALERT, false),
    /** The primary is fine and every replica following it lags past {@link AnalysisSettings#lagLimit()}. */
    AllReplicasLagging(Action.ALERT, false),
    /**
     * There is a problem (named in the evidence) but the group lock is held (a cutover, another
     * recovery): acting now would race the holder, so the monitor looks again once it is released.
     */
    GroupLocked(Action.WAIT, false);

    private final Action action;
    private final boolean automatic;

    AnalysisCode(Action action, boolean automatic) {
        this.action = action;
        this.automatic = automatic;
    }

    public Action action() { return action; }

    /** True when the monitor may run {@link #action()} without a human. */
    public boolean automatic() { return automatic; }
}
