package io.shardkit.schedule;

import java.text.ParseException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeSet;
import org.quartz.CronExpression;

/**
 * A schedule's cron expression, read in a time zone. Two spellings: the classic five fields
 * ({@code minute hour day-of-month month day-of-week}, as crontab(5) has them, {@code @daily} and
 * friends included) and Quartz's six or seven (seconds first, {@code ?} for the unused day field).
 * The five-field form is translated to Quartz's, whose {@link CronExpression} computes due times:
 * crontab's day-of-week numbers (0 or 7 for Sunday) become day names, and a crontab line that
 * names both a day of month and a day of week (crontab ORs them, Quartz cannot) is refused.
 */
public final class Cron {
    private static final Map<String, String> NICKNAMES = Map.of("@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *",
            "@weekly", "0 0 * * 0", "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");
    private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

    private final String text;
    private final ZoneId zone;
    private final CronExpression quartz;

    private Cron(String text, ZoneId zone, CronExpression quartz) {
        this.text = text;
        this.zone = zone;
        this.quartz = quartz;
    }

    /** Parses {@code text} in {@code zone} (an IANA name such as Europe/Paris, or UTC); a bad one says what and where. */
    public static Cron parse(String text, String zone) {
        ZoneId z;
        try {
            z = ZoneId.of(zone == null || zone.isBlank() ? "UTC" : zone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("--timezone " + zone + ": not a time zone (" + e.getMessage() + "); use an IANA name such as Europe/Paris or UTC");
        }
        String quartzText = toQuartz(text);
        try {
            CronExpression c = new CronExpression(quartzText);
            c.setTimeZone(TimeZone.getTimeZone(z));
            return new Cron(text.strip(), z, c);
        } catch (ParseException e) {
            throw new IllegalArgumentException("--cron \"" + text + "\": " + e.getMessage() + (quartzText.equals(text.strip()) ? "" : " (read as Quartz's \"" + quartzText + "\")"));
        }
    }

    /** The Quartz spelling of a five-field or nickname expression; six or seven fields are taken as they are. */
    static String toQuartz(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("--cron: empty expression");
        String t = text.strip();
        String nick = NICKNAMES.get(t.toLowerCase(Locale.ROOT));
        if (nick != null) t = nick;
        else if (t.startsWith("@")) throw new IllegalArgumentException("--cron \"" + text + "\": unknown nickname (known: " + String.join(", ", new TreeSet<>(NICKNAMES.keySet())) + ")");
        String[] f = t.split("\\s+");
        if (f.length == 6 || f.length == 7) return String.join(" ", f);
        if (f.length != 5) {
            throw new IllegalArgumentException("--cron \"" + text + "\": " + f.length + " fields; give five (minute hour day-of-month month day-of-week)"
                    + " or Quartz's six or seven (seconds first)");
        }
        String dom = f[2];
        String dow = f[4];
        boolean anyDom = dom.equals("*") || dom.equals("?");
        boolean anyDow = dow.equals("*") || dow.equals("?");
        if (!anyDom && !anyDow) {
            throw new IllegalArgumentException("--cron \"" + text + "\": both a day of month (" + dom + ") and a day of week (" + dow
                    + "); crontab runs on either, which this scheduler cannot express: add two schedules");
        }
        String quartzDow = anyDow ? "?" : days(dow, text);
        return "0 " + f[0] + " " + f[1] + " " + (anyDom ? (anyDow ? "*" : "?") : dom) + " " + f[3] + " " + quartzDow;
    }

    /** crontab's day-of-week field (numbers 0-7 with ranges, lists and steps, or names) as Quartz day names. */
    private static String days(String field, String text) {
        if (field.chars().anyMatch(Character::isLetter)) return field.toUpperCase(Locale.ROOT); // names mean the same in both
        TreeSet<Integer> set = new TreeSet<>();
        for (String part : field.split(",")) {
            String[] stepped = part.split("/", -1);
            int step = stepped.length == 2 ? number(stepped[1], text) : 1;
            if (stepped.length > 2 || step < 1) throw new IllegalArgumentException("--cron \"" + text + "\": day of week '" + part + "' is not a valid step");
            int from;
            int to;
            if (stepped[0].equals("*")) {
                from = 0;
                to = 6;
            } else if (stepped[0].contains("-")) {
                String[] r = stepped[0].split("-", -1);
                from = number(r[0], text);
                to = number(r[1], text);
            } else {
                from = number(stepped[0], text);
                to = stepped.length == 2 ? 7 : from;
            }
            if (from > 7 || to > 7 || from > to) throw new IllegalArgumentException("--cron \"" + text + "\": day of week '" + part + "' is outside 0-7");
            for (int d = from; d <= to; d += step) set.add(d % 7);
        }
        return String.join(",", set.stream().map(DAYS::get).toList());
    }

    private static int number(String s, String text) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--cron \"" + text + "\": '" + s + "' is not a day-of-week number");
        }
    }

    /** The first due time strictly after {@code after}, or null if there is none (a past year). */
    public Instant next(Instant after) {
        Date d = quartz.getNextValidTimeAfter(Date.from(after));
        return d == null ? null : d.toInstant();
    }

    public String text() {
        return text;
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public String toString() {
        return text + " (" + zone + ")";
    }
}
