package io.shardkit.failover.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AntiFlapTest {
    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    static final AntiFlapLimits LIMITS = AntiFlapLimits.DEFAULT;
    static final AntiFlap.Request G1_ON_H1 = new AntiFlap.Request("g1", "h1", "z1", "e9", Trigger.AUTOMATIC);

    static PastRecovery auto(String id, String event, String group, String host, String zone, Duration ago) {
        return new PastRecovery(id, event, group, host, zone, NOW.minus(ago), Trigger.AUTOMATIC, false);
    }

    static PastRecovery acked(PastRecovery p) {
        return new PastRecovery(p.id(), p.eventId(), p.group(), p.host(), p.zone(), p.at(), p.trigger(), true);
    }

    static AntiFlap.Decision decide(AntiFlap.Request r, PastRecovery... past) {
        return AntiFlap.decide(r, List.of(past), NOW, LIMITS);
    }

    static Duration min(long m) { return Duration.ofMinutes(m); }

    @Test
    void aFirstRecoveryRuns() {
        AntiFlap.Decision d = decide(G1_ON_H1);
        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).isEqualTo("no unacknowledged automatic recovery of g1 within 1 h, host and zone below their limits");
    }

    @Test
    void aGroupRecoveredWithinTheWindowWaitsForAnAck() {
        PastRecovery earlier = auto("r1", "e1", "g1", "h7", "z3", min(30));
        AntiFlap.Decision d = decide(G1_ON_H1, earlier);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("group g1 was recovered automatically at 2025-03-01T11:30:00Z (r1), not acknowledged: blocked until "
                + "2025-03-01T12:30:00Z or 'failover ack g1'");
        assertThat(d.toAcknowledge()).containsExactly("g1");
        assertThat(AntiFlap.acknowledge("g1", List.of(earlier, auto("r2", "e2", "g2", "h7", "z3", min(5))))).containsExactly("r1");
        assertThat(decide(G1_ON_H1, acked(earlier)).allowed()).isTrue();
    }

    @Test
    void theGroupWindowEndsExactlyAfterAnHour() {
        assertThat(decide(G1_ON_H1, auto("r1", "e1", "g1", "h7", "z3", min(60))).allowed()).isFalse();
        assertThat(decide(G1_ON_H1, auto("r1", "e1", "g1", "h7", "z3", min(60).plusSeconds(1))).allowed()).isTrue();
        AntiFlap.Decision shortWindow = AntiFlap.decide(G1_ON_H1, List.of(auto("r1", "e1", "g1", "h7", "z3", min(20))), NOW,
                new AntiFlapLimits(min(15), min(15), 1, 3));
        assertThat(shortWindow.allowed()).isTrue();
    }

    @Test
    void aClockThatSteppedBackDoesNotReleaseTheBrake() {
        assertThat(decide(G1_ON_H1, auto("r1", "e1", "g1", "h7", "z3", min(-10))).allowed()).isFalse();
    }

    @Test
    void manualRecoveriesNeitherCountNorWait() {
        PastRecovery manual = new PastRecovery("r1", "e1", "g1", "h1", "z1", NOW.minus(min(5)), Trigger.MANUAL, false);
        assertThat(decide(G1_ON_H1, manual).allowed()).isTrue();

        AntiFlap.Request promote = new AntiFlap.Request("g1", "h1", "z1", "e9", Trigger.MANUAL);
        AntiFlap.Decision d = decide(promote, auto("r1", "e1", "g1", "h7", "z3", min(10)));
        assertThat(d.allowed()).isTrue();
        assertThat(d.reason()).startsWith("manual recovery: anti-flap does not apply (an automatic one would be blocked: group g1 was recovered");
        assertThat(decide(promote).reason()).isEqualTo("manual recovery: anti-flap does not apply");
    }

    @Test
    void aHostsSecondEventWaitsButItsGroupsOfOneEventDoNot() {
        PastRecovery g2 = auto("r1", "e1", "g2", "h1", "z1", min(20));
        AntiFlap.Decision d = decide(G1_ON_H1, g2);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo("host h1 had 1 automatic recovery events within 1 h (e1; limit 1): blocked until 2025-03-01T12:40:00Z or 'failover ack' of g2");
        assertThat(d.toAcknowledge()).containsExactly("g2");
        // the same dead-host event: g1 is g2's sibling, not a flap
        assertThat(decide(new AntiFlap.Request("g1", "h1", "z1", "e1", Trigger.AUTOMATIC), g2).allowed()).isTrue();
        assertThat(decide(G1_ON_H1, acked(g2)).allowed()).isTrue();
    }

    @Test
    void aZoneStormWaitsForAHuman() {
        PastRecovery[] storm = {
                auto("r1", "e1", "g2", "h2", "z1", min(50)), auto("r2", "e1", "g3", "h2", "z1", min(50)),
                auto("r3", "e2", "g4", "h3", "z1", min(30)), auto("r4", "e3", "g5", "h4", "z1", min(10))};
        AntiFlap.Decision d = decide(G1_ON_H1, storm);
        assertThat(d.allowed()).isFalse();
        // three events (a dead host with two groups counts once); the oldest leaves the window at 12:10
        assertThat(d.reason()).isEqualTo("zone z1 had 3 automatic recovery events within 1 h (e1, e2, e3; limit 3): blocked until 2025-03-01T12:10:00Z"
                + " or 'failover ack' of g2, g3, g4, g5");
        assertThat(d.toAcknowledge()).containsExactly("g2", "g3", "g4", "g5");
        // with four events two must leave the window: the second oldest leaves at 12:30
        PastRecovery fourth = auto("r5", "e4", "g6", "h5", "z1", min(5));
        assertThat(decide(G1_ON_H1, storm[0], storm[1], storm[2], storm[3], fourth).reason()).contains("(e1, e2, e3, e4; limit 3): blocked until 2025-03-01T12:30:00Z");
        // two events are below the limit
        assertThat(decide(G1_ON_H1, storm[0], storm[1], storm[2]).allowed()).isTrue();
        // and another zone is not braked by this one
        assertThat(decide(new AntiFlap.Request("g1", "h9", "z2", "e9", Trigger.AUTOMATIC), storm).allowed()).isTrue();
    }

    @Test
    void limitsAreValidated() {
        assertThatThrownBy(() -> new AntiFlapLimits(min(60), min(60), 0, 3)).hasMessageContaining("at least one");
        assertThatThrownBy(() -> new AntiFlapLimits(min(-1), min(60), 1, 3)).hasMessageContaining("group window");
    }
}
