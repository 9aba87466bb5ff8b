package io.shardkit.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * The one dialect shim between the catalog's migrations and SQLite. The files in
 * {@code migrations/db/catalog} are written in a portable MySQL subset and must stay byte-identical
 * (MySQL/MariaDB catalogs have their checksums recorded), so the embedded catalog hands Flyway a
 * rewritten text instead, through this resource provider. The only construct SQLite lacks is
 * MySQL's auto-increment key: {@code BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY} becomes
 * {@code INTEGER PRIMARY KEY AUTOINCREMENT} (SQLite's rowid alias, and AUTOINCREMENT never reuses
 * an id, as MySQL does not). Everything else (VARCHAR(n), TIMESTAMP(6), MEDIUMTEXT, BOOLEAN,
 * ALTER TABLE .. ADD COLUMN, CREATE INDEX) SQLite accepts as written; SqliteMigrationsTest applies
 * every file. An embedded catalog's history records the checksums of the rewritten text: changing
 * {@link #rewrite} for a file already applied is like editing that file. (V1's header still names H2,
 * the embedded engine when it was written: the file cannot change.)
 */
final class SqliteMigrations implements ResourceProvider {
    static final String LOCATION = "db/catalog";
    private static final Pattern AUTO_INCREMENT_KEY = Pattern.compile("(?i)\\bBIGINT\\s+NOT\\s+NULL\\s+AUTO_INCREMENT\\s+PRIMARY\\s+KEY\\b");

    private final Map<String, String> files;

    SqliteMigrations() {
        this.files = read();
    }

    /** The SQLite text of one migration file. */
    static String rewrite(String mysqlText) {
        return AUTO_INCREMENT_KEY.matcher(mysqlText).replaceAll("INTEGER PRIMARY KEY AUTOINCREMENT");
    }

    /** File name to original text, for every .sql file under {@link #LOCATION} on the class path (a directory, or the migrations jar). */
    static Map<String, String> read() {
        URL dir = SqliteMigrations.class.getClassLoader().getResource(LOCATION);
        if (dir == null) throw new IllegalStateException(LOCATION + " is not on the class path (the shardkit-migrations jar)");
        Map<String, String> out = new TreeMap<>();
        try {
            if (dir.getProtocol().equals("jar")) {
                JarURLConnection c = (JarURLConnection) dir.openConnection();
                c.setUseCaches(false); // our own JarFile, closed here
                try (JarFile jar = c.getJarFile()) {
                    for (JarEntry e : java.util.Collections.list(jar.entries())) {
                        String name = e.getName().substring(e.getName().lastIndexOf('/') + 1);
                        if (e.getName().equals(LOCATION + "/" + name) && name.endsWith(".sql")) {
                            try (InputStream in = jar.getInputStream(e)) {
                                out.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                            }
                        }
                    }
                }
                return out;
            }
            try (Stream<Path> list = Files.list(Path.of(dir.toURI()))) {
                for (Path p : (Iterable<Path>) list::iterator) {
                    if (p.getFileName().toString().endsWith(".sql")) out.put(p.getFileName().toString(), Files.readString(p));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the catalog migrations from " + dir, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot read the catalog migrations from " + dir, e);
        }
    }

    @Override
    public LoadableResource getResource(String name) {
        String file = name.substring(name.lastIndexOf('/') + 1);
        return files.containsKey(file) ? new Rewritten(file, rewrite(files.get(file))) : null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> out = new ArrayList<>();
        files.forEach((file, text) -> {
            if (file.startsWith(prefix) && Stream.of(suffixes).anyMatch(file::endsWith)) out.add(new Rewritten(file, rewrite(text)));
        });
        return out;
    }

    /** A migration file as SQLite reads it. */
    private static final class Rewritten extends LoadableResource {
        private final String file;
        private final String text;

        Rewritten(String file, String text) {
            this.file = file;
            this.text = text;
        }

        @Override
        public Reader read() {
            return new StringReader(text);
        }

        @Override
        public String getAbsolutePath() {
            return LOCATION + "/" + file;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return getAbsolutePath();
        }

        @Override
        public String getFilename() {
            return file;
        }

        @Override
        public String getRelativePath() {
            return file;
        }
    }
}
