package io.shardkit.it.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.shardkit.mysql.Flavor;
import io.shardkit.mysql.Flavors;
import io.shardkit.mysql.Queries;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.containers.MariaDBContainer;
import org.testcontainers.containers.MySQLContainer;

/**
 * Newer server versions (MySQL 8.4, MariaDB 11) through Testcontainers, used only where a Docker
 * engine exists; elsewhere the tests are skipped with the reason in the report.
 */
class ContainerFleetIT {

    static void requireDocker() {
        boolean docker;
        try {
            docker = DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable t) {
            docker = false;
        }
        assumeTrue(docker, "no Docker engine on this machine: MySQL 8.4 / MariaDB 11 container tests skipped (local sandbox fleets cover MariaDB 10.11 and MySQL 8.0.15)");
    }

    @Test
    void mysql84SpeaksOnlyTheNewReplicaWords() throws Exception {
        requireDocker();
        try (MySQLContainer<?> c = new MySQLContainer<>("mysql:8.4")) {
            c.start();
            assertFlavor(c, Flavors.MYSQL_84);
        }
    }

    @Test
    void mariadb11IsTheMariaDbFlavor() throws Exception {
        requireDocker();
        try (MariaDBContainer<?> c = new MariaDBContainer<>("mariadb:11")) {
            c.start();
            assertFlavor(c, Flavors.MARIADB);
        }
    }

    private static void assertFlavor(JdbcDatabaseContainer<?> c, Flavor expected) throws Exception {
        try (Connection conn = DriverManager.getConnection(c.getJdbcUrl(), "root", c.getPassword())) {
            Flavor f = Flavors.forVersion(Queries.string(conn, "SELECT @@version"));
            assertThat(f).isSameAs(expected);
            Queries.rows(conn, f.replicaStatusQuery()); // the statement this flavor chose is accepted by the server
            assertThat(f.parseGtid(Queries.string(conn, f.gtidExecutedQuery()))).isNotNull();
        }
    }
}
