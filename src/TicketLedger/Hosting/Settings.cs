namespace TicketLedger.Hosting;

/// <summary>
/// Every configuration key the service reads, with its default: the single list behind the README's configuration
/// table and the check that docker-compose.yml passes only settings the service understands.
/// Code reads configuration through these names, so a key cannot be read without being listed.
/// </summary>
public static class Settings
{
    public const string ConnectionString = "ConnectionStrings:Marten";
    public const string EmbeddedDataDirectory = "EmbeddedPostgres:DataDirectory";
    public const string EmbeddedBinDirectory = "EmbeddedPostgres:BinDirectory";
    public const string EmbeddedOsUser = "EmbeddedPostgres:OsUser";
    public const string EmbeddedDatabase = "EmbeddedPostgres:Database";
    public const string Office = "Ledger:Office";
    public const string TimeZone = "Ledger:TimeZone";
    public const string OfficesSection = "Offices";
    public const string OfficeCode = "Offices:<i>:Code";
    public const string OfficeName = "Offices:<i>:Name";
    public const string OfficeTimeZone = "Offices:<i>:TimeZone";
    public const string OfficeDatabase = "Offices:<i>:Database";
    public const string DistrictName = "District:Name";
    public const string MessagingTransport = "Messaging:Transport";
    public const string RabbitMqUri = "Messaging:RabbitMqUri";
    public const string SeedsDirectory = "Seeds:Directory";
    public const string MaxRequestBodyBytes = "Http:MaxRequestBodyBytes";
    public const string ApiKeyName = "Auth:ApiKeys:<i>:Name";
    public const string ApiKeyRole = "Auth:ApiKeys:<i>:Role";
    public const string ApiKeyHash = "Auth:ApiKeys:<i>:KeySha256";
    public const string ApiKeyBureau = "Auth:ApiKeys:<i>:Bureau";
    public const string ApiKeyOffice = "Auth:ApiKeys:<i>:Office";
    public const string ApiKeyOffices = "Auth:ApiKeys:<i>:Offices";
    public const string IdempotencyRetentionHours = "Idempotency:RetentionHours";
    public const string AuditSealEvery = "Audit:SealEvery";
    public const string EarliestBusinessDate = "Validation:EarliestBusinessDate";
    public const string AuditCheckpointEvery = "Audit:CheckpointEvery";
    public const string AuditOrigin = "Audit:Origin";
    public const string AuditSigningKeyFile = "Audit:SigningKeyFile";
    public const string AuditSigningKey = "Audit:SigningKey";
    public const string AuditWitnessName = "Audit:Witnesses:<i>:Name";
    public const string AuditWitnessPublicKey = "Audit:Witnesses:<i>:PublicKey";
    public const string Reference = "Reference";
    public const string AuthSection = "Auth";
    public const string AuditSection = "Audit";

    public sealed record Setting(string Key, string Default, string Meaning);

    public static readonly IReadOnlyList<Setting> All =
    [
        new(ConnectionString, "(unset: embedded cluster)", "PostgreSQL connection string; unset runs the embedded cluster"),
        new(EmbeddedDataDirectory, "~/.local/share/ticketledger/postgres (root: /var/lib/ticketledger/postgres)", "folder of the embedded cluster, kept between runs"),
        new(EmbeddedBinDirectory, "(searched: PATH, pg_config --bindir, /usr/lib/postgresql/*/bin)", "PostgreSQL server binaries for the embedded cluster"),
        new(EmbeddedOsUser, "postgres", "OS user owning the embedded cluster when the service runs as root"),
        new(EmbeddedDatabase, "ticketledger", "database created in the embedded cluster"),
        new(Office, "yinhe", "the office of a single-office deployment; in a district, the office the seeds load into and that owns data recorded before offices existed"),
        new(TimeZone, "Asia/Shanghai", "office time zone for 'the same day' and 'as of a date'; the default of Offices:<i>:TimeZone"),
        new(OfficeCode, "(none: one office, Ledger:Office)", "an office of a district: lower case a-z, 0-9, '-', 2-32 characters; its Marten tenant id"),
        new(OfficeName, "(the code)", "the office's display name, e.g. 银河办事处"),
        new(OfficeTimeZone, "(Ledger:TimeZone)", "the office's time zone"),
        new(OfficeDatabase, "Marten", "the connection string (ConnectionStrings:<name>) of the database holding the office; several offices may share one"),
        new("ConnectionStrings:<name>", "", "a further PostgreSQL database named by Offices:<i>:Database"),
        new(DistrictName, "district", "the label of the district roll-up"),
        new(MessagingTransport, "postgresql", "broker for bureau messages: postgresql or rabbitmq"),
        new(RabbitMqUri, "amqp://guest:guest@localhost:5672", "RabbitMQ address when the transport is rabbitmq"),
        new(SeedsDirectory, "seeds/ above the working directory or the executable", "the seed dataset loaded by `seed` and `serve --seed`"),
        new(MaxRequestBodyBytes, "65536", "largest accepted request body; larger is 413"),
        new(ApiKeyName, "(none; Development has local keys)", "caller name recorded on events"),
        new(ApiKeyRole, "", "staff, auditor, bureau or admin"),
        new(ApiKeyHash, "", "lower-case hex SHA-256 of the key"),
        new(ApiKeyBureau, "", "bureau code of a bureau key"),
        new(ApiKeyOffice, "", "the one office the key acts in (with several offices a key names Office or Offices)"),
        new(ApiKeyOffices, "", "the offices the key may act in, comma-separated, or *; requests name one in X-Office"),
        new(IdempotencyRetentionHours, "24", "how long an Idempotency-Key is honoured"),
        new(AuditSealEvery, "00:00:01", "how far the global audit chain and the transparency log may trail the appends"),
        new(AuditCheckpointEvery, "00:01:00", "how often a signed checkpoint of the transparency log is issued while events arrive"),
        new(AuditOrigin, "ticketledger/<Ledger:Office>", "the log's name in its checkpoints, and its signing key's name"),
        new(AuditSigningKeyFile, "(embedded cluster: audit-signing.key in its folder, generated)", "file holding the base64 Ed25519 private key that signs checkpoints"),
        new(AuditSigningKey, "", "the base64 Ed25519 signing key itself (env Audit__SigningKey); one of the two is required outside Development"),
        new(AuditWitnessName, "", "a witness (bureau) whose checkpoint cosignatures are accepted: its key name"),
        new(AuditWitnessPublicKey, "", "the witness's base64 Ed25519 public key"),
        new(EarliestBusinessDate, "2000-01-01", "earliest business date a command may record (occurredAt, visitedOn, …); earlier is 400"),
        new("Reference:Categories:<i>:Code", "(appsettings.json: supplies, labour, …)", "problem category code"),
        new("Reference:Categories:<i>:Label", "(appsettings.json)", "Chinese label of the category"),
        new("Reference:Departments:<i>:Code", "(appsettings.json: xmb, hbb, djb, jfb)", "office department code"),
        new("Reference:Departments:<i>:Label", "(appsettings.json)", "Chinese label of the department"),
        new("Reference:Bureaus:<i>:Code", "(appsettings.json: jfj-gxc, rsj, zjj, scjgj)", "upstream bureau code"),
        new("Reference:Bureaus:<i>:Label", "(appsettings.json)", "Chinese label of the bureau"),
    ];

    /// <summary>Whether a concrete key (e.g. from an environment variable, `__` already turned into `:`) is one of ours.</summary>
    public static bool IsKnown(string key)
    {
        var normalised = System.Text.RegularExpressions.Regex.Replace(key, @":\d+:", ":<i>:");
        normalised = System.Text.RegularExpressions.Regex.Replace(normalised, @"^ConnectionStrings:(?!Marten$)[^:]+$", "ConnectionStrings:<name>", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        return All.Any(s => string.Equals(s.Key, normalised, StringComparison.OrdinalIgnoreCase));
    }
}
