package io.shardkit.merge;

import io.shardkit.mysql.ConnectionSettings;
import io.shardkit.mysql.Connections;
import io.shardkit.mysql.Credential;
import io.shardkit.mysql.Endpoint;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * "Caught up", asked from outside the process that streams: a marker written now on every source
 * has come through its stream to the target. Unlike a count of transactions behind, this holds on
 * a source that never stops taking writes (an application, a monitor's heartbeats): it proves the
 * stream applied everything committed before the question was asked.
 */
public final class CatchUp {
    private CatchUp() {}

    /** Writes the next marker of the job on each source primary (at the address the plan has); the marker per source. */
    public static Map<String, Long> mark(Plan plan, Credential admin) throws SQLException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Plan.Source s : plan.sources()) {
            try (Connection c = Connections.open(endpoint(s.address()), admin, ConnectionSettings.PROBE)) {
                out.put(s.group(), Markers.write(c, plan.id(), s.group()));
            }
        }
        return out;
    }

    /** The sources whose marker the target has not applied yet (empty: caught up as of {@link #mark}). */
    public static List<String> pending(Plan plan, Credential admin, Map<String, Long> marks) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection t = Connections.open(endpoint(plan.target().address()), admin, ConnectionSettings.PROBE)) {
            for (var e : marks.entrySet()) if (Markers.applied(t, plan.id(), e.getKey()) < e.getValue()) out.add(e.getKey());
        }
        return out;
    }

    private static Endpoint endpoint(String address) {
        String[] hp = address.split(":");
        return new Endpoint(hp[0], Integer.parseInt(hp[1]));
    }
}
