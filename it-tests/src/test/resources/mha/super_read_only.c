/*
 * A MariaDB daemon plugin that only registers @@global.super_read_only, always OFF.
 *
 * Why: MHA 0.58 reads @@global.super_read_only (a MySQL 5.7 variable) on the new master before it
 * applies the relay-log differences, with RaiseError on; MariaDB has no such variable, so MHA's
 * failover dies there. MariaDB has no super_read_only to honour either, so OFF is the truth.
 * Plugin variables are named <plugin>_<variable>: plugin "super", variable "read_only".
 *
 * Built by MhaPeer (gcc -shared -fPIC against libmariadbd-dev's headers) and loaded with
 * INSTALL SONAME 'super_read_only'.
 */
#include <mysql_version.h>
#include <mysql/plugin.h>

static char read_only_value = 0;

static MYSQL_SYSVAR_BOOL(read_only, read_only_value, PLUGIN_VAR_READONLY | PLUGIN_VAR_NOCMDOPT,
                         "Always OFF: MariaDB has no super_read_only (this exists for tools that read it)", NULL, NULL, 0);

static struct st_mysql_sys_var *variables[] = {MYSQL_SYSVAR(read_only), NULL};

static struct st_mysql_daemon info = {MYSQL_DAEMON_INTERFACE_VERSION};

maria_declare_plugin(super_read_only){
    MYSQL_DAEMON_PLUGIN,
    &info,
    "super",
    "shardkit",
    "@@super_read_only for MHA on MariaDB (always OFF)",
    PLUGIN_LICENSE_GPL,
    NULL,
    NULL,
    0x0100,
    NULL,
    variables,
    "1.0",
    MariaDB_PLUGIN_MATURITY_STABLE,
} maria_declare_plugin_end;
