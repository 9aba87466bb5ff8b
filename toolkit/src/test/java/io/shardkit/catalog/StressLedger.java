package io.shardkit.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the processes of {@link CatalogStressTest} acknowledged (a line is printed only after its
 * catalog call returned), and the check that every acknowledged write is in the catalog afterwards.
 */
final class StressLedger {
    /** audit_id to "tag micros" as acknowledged. */
    private final Map<Long, String> audits = new HashMap<>();
    /** job to the states its acknowledged transitions moved it to, in order. */
    private final Map<String, List<String>> moves = new HashMap<>();
    /** private group to its last event: "lock HOLDER", "unlock", or "pending" while a lock or release had not returned. */
    private final Map<String, String> locks = new HashMap<>();
    /** private group to every line about it, with the child that printed it: what a failed check prints. */
    private final Map<String, List<String>> lockHistory = new HashMap<>();
    private final List<String> errors = new ArrayList<>();
    private final List<Long> openMillis = new ArrayList<>();
    private int lockEvents;
    private long events;
    /** Lines on a child's stdout that are not its protocol (a library's log line, or one merged with a protocol line). */
    private final List<String> foreign = new ArrayList<>();
    private long foreignLines;
    /** Every process's lines and the kills, in the order recorded (the last 400): printed when a writer saw its own write vanish. */
    private final java.util.LinkedList<String> timeline = new java.util.LinkedList<>();

    synchronized List<String> timeline() {
        return List.copyOf(timeline);
    }

    /** Each child's last lines: printed beside a lost lock. */
    private final Map<String, List<String>> childLines = new HashMap<>();
    private static final java.util.regex.Pattern PROTOCOL = java.util.regex.Pattern.compile("(open|audit|move|lock|locking|unlocking|unlock|read|error) ");
    private long reads;

    /** One line of a child; lines without the closing " ." were cut by a kill and acknowledge nothing. */
    synchronized void record(String who, String line) {
        if (!line.endsWith(" .") || !PROTOCOL.matcher(line).lookingAt()) {
            if (foreign.size() < 5) foreign.add(who + ": " + line);
            foreignLines++;
            if (!line.endsWith(" .")) return;
        }
        String[] f = line.substring(0, line.length() - 2).split(" ");
        timeline.add("#" + (events + 1) + " " + who + ": " + line);
        if (timeline.size() > 400) timeline.removeFirst();
        List<String> mine = childLines.computeIfAbsent(who, k -> new java.util.LinkedList<>());
        mine.add("#" + (++events) + " " + line);
        if (mine.size() > 30) mine.removeFirst();
        switch (f[0]) {
            case "open" -> openMillis.add(Long.parseLong(f[1]));
            case "audit" -> audits.put(Long.parseLong(f[1]), f[2] + " " + f[3]);
            case "move" -> {
                List<String> states = moves.computeIfAbsent(f[1], k -> new ArrayList<>());
                if (Integer.parseInt(f[2]) != states.size() + 1) errors.add(who + ": transition " + f[2] + " of " + f[1] + " out of order");
                states.add(f[3]);
            }
            case "lock" -> {
                history(who, f[1], line);
                locks.put(f[1], "lock " + f[2]);
                lockEvents++;
            }
            case "locking", "unlocking" -> {
                history(who, f[1], line);
                locks.put(f[1], "pending");
            }
            case "unlock" -> {
                history(who, f[1], line);
                locks.put(f[1], "unlock");
                lockEvents++;
            }
            case "read" -> reads++;
            case "error" -> errors.add(who + ": " + line);
            default -> { }
        }
    }

    private void history(String who, String group, String line) {
        lockHistory.computeIfAbsent(group, k -> new ArrayList<>()).add("#" + (++events) + " " + who + ": " + line);
    }

    /** A child this test killed: its kill goes into the history of each of its groups, in order. */
    synchronized void killed(String who) {
        events++;
        timeline.add("#" + events + " KILLED " + who);
        String prefix = "p-" + who.substring(who.indexOf('-') + 1) + "-";
        lockHistory.forEach((g, h) -> {
            if (g.startsWith(prefix)) h.add("#" + events + " killed");
        });
    }

    private List<String> lastLines(String group) {
        String who = "writer-" + group.substring(2, group.lastIndexOf('-'));
        return childLines.getOrDefault(who, List.of());
    }

    synchronized void error(String message) {
        errors.add(message);
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized int audits() {
        return audits.size();
    }

    synchronized String activity() {
        return openMillis.size() + " opens (slowest " + openMillis.stream().mapToLong(Long::longValue).max().orElse(0) + " ms), "
                + lockEvents + " group locks taken or released, " + moves.size() + " jobs, " + reads * 20 + " reader rounds, " + foreignLines + " foreign stdout lines " + foreign;
    }

    /** What the catalog has of the acknowledged writes, and each one it lacks. */
    record Check(int audits, int auditsFound, int transitions, int transitionsFound, int lockStates, int lockStatesFound, List<String> missing) {
        int acknowledged() {
            return audits + transitions + lockStates;
        }

        int found() {
            return auditsFound + transitionsFound + lockStatesFound;
        }
    }

    synchronized Check check(Catalog catalog) {
        List<String> missing = new ArrayList<>();
        Map<Long, String> stored = catalog.query("SELECT audit_id, detail, happened_at FROM audit_log", rs -> {
            Map<Long, String> out = new HashMap<>();
            while (rs.next()) out.put(rs.getLong(1), rs.getString(2) + " " + CatalogStressChild.micros(rs.getTimestamp(3)));
            return out;
        });
        audits.forEach((id, row) -> {
            if (!row.equals(stored.get(id))) missing.add("audit_log " + id + ": acknowledged '" + row + "', found '" + stored.get(id) + "'");
        });
        int auditsFound = audits.size() - missing.size();

        Map<String, List<String>> transitions = catalog.query("SELECT job_id, to_state FROM job_transitions ORDER BY transition_id", rs -> {
            Map<String, List<String>> out = new LinkedHashMap<>();
            while (rs.next()) out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
            return out;
        });
        int acked = 0;
        int matched = 0;
        for (var e : moves.entrySet()) {
            List<String> found = transitions.getOrDefault(e.getKey(), List.of());
            int prefix = 0;
            while (prefix < e.getValue().size() && prefix < found.size() && found.get(prefix).equals(e.getValue().get(prefix))) prefix++;
            acked += e.getValue().size();
            matched += prefix;
            if (prefix < e.getValue().size()) missing.add("job_transitions of " + e.getKey() + ": acknowledged " + e.getValue() + ", found " + found);
        }

        Map<String, String> held = catalog.query("SELECT group_name, holder FROM group_locks", rs -> {
            Map<String, String> out = new HashMap<>();
            while (rs.next()) out.put(rs.getString(1), rs.getString(2));
            return out;
        });
        int states = 0;
        int consistent = 0;
        for (var e : locks.entrySet()) {
            String group = e.getKey();
            String last = e.getValue();
            if (last.equals("pending")) continue; // taken or released, or not: the call never returned
            states++;
            if (last.startsWith("lock ") && !last.substring(5).equals(held.get(group))) {
                missing.add("group lock " + group + ": acknowledged taken by " + last.substring(5) + ", held by " + held.get(group) + " (lines: " + lockHistory.get(group)
                        + "; its writer's last lines: " + lastLines(group) + ")");
            } else if (last.equals("unlock") && held.containsKey(group)) {
                missing.add("group lock " + group + ": acknowledged released, still held by " + held.get(group) + " (lines: " + lockHistory.get(group) + "; its writer's last lines: " + lastLines(group) + ")");
            } else {
                consistent++;
            }
        }
        return new Check(audits.size(), auditsFound, acked, matched, states, consistent, missing);
    }
}
