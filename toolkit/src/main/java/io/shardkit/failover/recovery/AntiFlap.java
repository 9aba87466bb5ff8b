package io.shardkit.failover.recovery;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * May an automatic recovery run now? Pure: the past recoveries and the clock come in, a decision with
 * its reason goes out (orchestrator's RecoveryPeriodBlockSeconds, plus host and zone brakes).
 *
 * <p>Only automatic, unacknowledged recoveries count: {@code failover ack GROUP} marks a group's past
 * recoveries acknowledged, which releases every brake they held. Manual recoveries never count and are
 * never blocked: an operator who runs {@code failover promote} has looked. The recoveries of the
 * current event never block each other (a dead host's second group, or a resumed recovery). A
 * recovery dated in the future counts as within the window: a clock that stepped back must not
 * release the brake.
 */
public final class AntiFlap {

    private AntiFlap() {}

    /** The recovery being considered: the group, its failed primary's host and zone, and its event. */
    public record Request(String group, String host, String zone, String eventId, Trigger trigger) {}

    /**
     * @param toAcknowledge the groups whose {@code failover ack} would release the brakes in the way
     */
    public record Decision(boolean allowed, String reason, List<String> toAcknowledge) {}

    public static Decision decide(Request req, List<PastRecovery> past, Instant now, AntiFlapLimits limits) {
        List<String> blockers = new ArrayList<>();
        Set<String> toAck = new LinkedHashSet<>();

        List<PastRecovery> sameGroup = counted(past, req, now, limits.groupWindow(), p -> p.group().equals(req.group()));
        if (!sameGroup.isEmpty()) {
            PastRecovery last = sameGroup.stream().max(java.util.Comparator.comparing(PastRecovery::at)).orElseThrow();
            blockers.add("group " + req.group() + " was recovered automatically at " + last.at() + " (" + last.id() + "), not acknowledged: blocked until "
                    + last.at().plus(limits.groupWindow()) + " or 'failover ack " + req.group() + "'");
            toAck.add(req.group());
        }
        String host = brake("host " + req.host(), counted(past, req, now, limits.fleetWindow(), p -> p.host().equals(req.host())),
                limits.maxPerHost(), limits.fleetWindow(), toAck);
        if (host != null) blockers.add(host);
        String zone = brake("zone " + req.zone(), counted(past, req, now, limits.fleetWindow(), p -> p.zone().equals(req.zone())),
                limits.maxPerZone(), limits.fleetWindow(), toAck);
        if (zone != null) blockers.add(zone);

        if (req.trigger() != Trigger.AUTOMATIC) {
            return new Decision(true, req.trigger().name().toLowerCase(java.util.Locale.ROOT) + " recovery: anti-flap does not apply" + (blockers.isEmpty() ? "" : " (an automatic one would be blocked: "
                    + String.join("; ", blockers) + ")"), List.of());
        }
        if (!blockers.isEmpty()) return new Decision(false, String.join("; ", blockers), List.copyOf(toAck));
        return new Decision(true, "no unacknowledged automatic recovery of " + req.group() + " within " + hours(limits.groupWindow())
                + ", host and zone below their limits", List.of());
    }

    /** The ids {@code failover ack GROUP} marks acknowledged: the group's unacknowledged automatic recoveries. */
    public static List<String> acknowledge(String group, List<PastRecovery> past) {
        return past.stream().filter(p -> p.group().equals(group) && p.trigger() == Trigger.AUTOMATIC && !p.acknowledged()).map(PastRecovery::id).toList();
    }

    private static List<PastRecovery> counted(List<PastRecovery> past, Request req, Instant now, Duration window, Predicate<PastRecovery> scope) {
        Instant since = now.minus(window);
        return past.stream().filter(p -> p.trigger() == Trigger.AUTOMATIC && !p.acknowledged() && !p.eventId().equals(req.eventId())
                && !p.at().isBefore(since) && scope.test(p)).toList();
    }

    /** Null while the scope has fewer events than allowed, else why it is blocked and until when. */
    private static String brake(String scope, List<PastRecovery> recoveries, int max, Duration window, Set<String> toAck) {
        Map<String, Instant> eventStart = new TreeMap<>();
        for (PastRecovery p : recoveries) eventStart.merge(p.eventId(), p.at(), (a, b) -> a.isBefore(b) ? a : b);
        if (eventStart.size() < max) return null;
        List<Instant> starts = eventStart.values().stream().sorted().toList();
        // it runs again once enough of the oldest events leave the window to get below the limit
        Instant until = starts.get(starts.size() - max).plus(window);
        recoveries.forEach(p -> toAck.add(p.group()));
        return scope + " had " + eventStart.size() + " automatic recovery events within " + hours(window) + " (" + String.join(", ", eventStart.keySet())
                + "; limit " + max + "): blocked until " + until + " or 'failover ack' of " + String.join(", ", recoveries.stream().map(PastRecovery::group).distinct().sorted().toList());
    }

    private static String hours(Duration d) {
        return d.toMinutes() % 60 == 0 ? d.toHours() + " h" : d.toMinutes() + " min";
    }
}
