package io.shardkit.mysql;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Picks the {@link Flavor} for a server from its {@code @@version} string. */
public final class Flavors {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)");

    public static final Flavor MARIADB = new MariaDbFlavor();
    public static final Flavor MYSQL_80_LEGACY = new MySqlFlavor(MySqlFlavor.Syntax.LEGACY);
    public static final Flavor MYSQL_80 = new MySqlFlavor(MySqlFlavor.Syntax.MODERN);
    public static final Flavor MYSQL_84 = new MySqlFlavor(MySqlFlavor.Syntax.ONLY_MODERN);

    private Flavors() {}

    public static Flavor forVersion(String version) {
        if (version == null) throw new IllegalArgumentException("server version is unknown");
        if (version.toLowerCase(Locale.ROOT).contains("mariadb")) return MARIADB;
        Matcher m = VERSION.matcher(version.trim());
        if (!m.find()) throw new IllegalArgumentException("cannot read server version '" + version + "'");
        int major = Integer.parseInt(m.group(1));
        int minor = Integer.parseInt(m.group(2));
        int patch = Integer.parseInt(m.group(3));
        if (major >= 10) return MARIADB; // MariaDB 10.x/11.x without the suffix (rare, but seen behind proxies)
        if (major < 8) throw new IllegalArgumentException("MySQL " + version + " is not supported (8.0 or later needed)");
        if (major == 8 && minor == 0) return patch < 23 ? MYSQL_80_LEGACY : MYSQL_80;
        if (major == 8 && minor < 4) return MYSQL_80;
        return MYSQL_84;
    }
}
