package io.shardkit.shell;

import io.shardkit.catalog.Catalog;
import io.shardkit.mysql.CredentialRef;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What every command gets: the writers to print to and the state directory. */
public final class Context {
    private final PrintWriter out;
    private final PrintWriter err;
    private Path home;
    private String catalogUrl;
    private String catalogUser;
    private Path catalogOptionFile;

    public Context(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        String env = System.getenv("SHARDKIT_HOME");
        this.home = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".shardkit");
    }

    public PrintWriter out() { return out; }

    public PrintWriter err() { return err; }

    public Path home() { return home; }

    public void home(Path home) { this.home = home; }

    public void catalogUrl(String url) { this.catalogUrl = url; }

    public void catalogUser(String user) { this.catalogUser = user; }

    public void catalogOptionFile(Path file) { this.catalogOptionFile = file; }

    /** Opens the catalog: the embedded one under the state directory unless --catalog named a server. */
    public Catalog openCatalog() {
        if (catalogUrl == null) return Catalog.embedded(home);
        if (catalogUser == null && catalogOptionFile == null) {
            throw new IllegalArgumentException("--catalog needs --catalog-user (password from $SHARDKIT_CATALOG_PASSWORD) or --catalog-option-file");
        }
        CredentialRef ref = catalogOptionFile != null
                ? CredentialRef.optionFile(catalogUser, catalogOptionFile, "shardkit-catalog")
                : CredentialRef.env(catalogUser, "SHARDKIT_CATALOG_PASSWORD");
        return Catalog.external(catalogUrl, ref.resolve());
    }
}
