package io.shardkit.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

class CronTest {

    @Test
    void crontabFieldsBecomeQuartzOnes() {
        assertThat(Cron.toQuartz("0 3 * * SUN")).isEqualTo("0 0 3 ? * SUN");
        assertThat(Cron.toQuartz("*/15 * * * *")).isEqualTo("0 */15 * * * ?");
        assertThat(Cron.toQuartz("30 2 1 * *")).isEqualTo("0 30 2 1 * ?");
        // crontab counts Sunday as 0 and 7, Quartz as 1: numbers become names
        assertThat(Cron.toQuartz("0 3 * * 0")).isEqualTo("0 0 3 ? * SUN");
        assertThat(Cron.toQuartz("0 3 * * 7")).isEqualTo("0 0 3 ? * SUN");
        assertThat(Cron.toQuartz("0 3 * * 1-5")).isEqualTo("0 0 3 ? * MON,TUE,WED,THU,FRI");
        assertThat(Cron.toQuartz("0 3 * * 5-7")).isEqualTo("0 0 3 ? * SUN,FRI,SAT");
        assertThat(Cron.toQuartz("0 3 * * */2")).isEqualTo("0 0 3 ? * SUN,TUE,THU,SAT");
        assertThat(Cron.toQuartz("@daily")).isEqualTo("0 0 0 * * ?");
        assertThat(Cron.toQuartz("*/5 * * * * ?")).isEqualTo("*/5 * * * * ?"); // Quartz's own, seconds first
    }

    @Test
    void dueTimesFollowTheTimeZone() {
        Cron c = Cron.parse("0 3 * * SUN", "Europe/Paris");
        Instant after = ZonedDateTime.parse("2026-12-02T12:00:00+01:00[Europe/Paris]").toInstant(); // a Wednesday
        assertThat(c.next(after)).isEqualTo(ZonedDateTime.parse("2026-12-06T03:00:00+01:00[Europe/Paris]").toInstant());
        assertThat(Cron.parse("0 3 * * SUN", null).next(after)).isEqualTo(Instant.parse("2026-12-06T03:00:00Z"));
        Cron every5 = Cron.parse("*/5 * * * * ?", "UTC");
        assertThat(every5.next(Instant.parse("2026-12-02T10:00:03.500Z"))).isEqualTo(Instant.parse("2026-12-02T10:00:05Z"));
        assertThat(every5.next(Instant.parse("2026-12-02T10:00:05Z"))).isEqualTo(Instant.parse("2026-12-02T10:00:10Z"));
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> Cron.parse("0 3 * *", "UTC")).hasMessageContaining("4 fields");
        assertThatThrownBy(() -> Cron.parse("0 3 1 * MON", "UTC")).hasMessageContaining("both a day of month");
        assertThatThrownBy(() -> Cron.parse("0 25 * * *", "UTC")).hasMessageContaining("--cron \"0 25 * * *\"");
        assertThatThrownBy(() -> Cron.parse("0 3 * * 9", "UTC")).hasMessageContaining("outside 0-7");
        assertThatThrownBy(() -> Cron.parse("@often", "UTC")).hasMessageContaining("unknown nickname");
        assertThatThrownBy(() -> Cron.parse("@daily", "Mars/Olympus")).hasMessageContaining("--timezone Mars/Olympus");
    }
}
