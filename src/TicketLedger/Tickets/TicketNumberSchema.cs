using JasperFx.Events;
using Weasel.Core;
using Marten;
using TicketLedger.Hosting;
using Weasel.Core.Migrations;

namespace TicketLedger.Tickets;

/// <summary>
/// The database half of ticket numbering (docs/ticket-lifecycle.md, "Numbers"): the counter table, the function a raise
/// reserves its number with, and a deferred constraint trigger on mt_events that settles the number inside the raise's
/// COMMIT. Installed by Marten's schema management after the event store, whose table the trigger is on.
/// </summary>
public sealed class TicketNumberSchema(StoreOptions options) : FeatureSchemaBase("TicketNumbers", options.Advanced.Migrator)
{
    private readonly string _schema = options.DatabaseSchemaName;

    public override Type StorageType => typeof(TicketNumberSchema);

    public override IEnumerable<Type> DependentTypes() => [typeof(IEvent)];

    protected override IEnumerable<ISchemaObject> schemaObjects()
    {
        yield return TicketNumbers.Table(_schema);
        yield return new TicketNumberSettling(_schema);
    }
}

/// <summary>
/// <c>tl_ticket_number_reserve</c>, <c>tl_ticket_number_claim</c> and the settling trigger. The trigger acts only in a
/// transaction that claimed its number (<see cref="TicketNumbers.Claim"/>): events appended any other way (a seed, an
/// import, a test) settle nothing.
/// </summary>
internal sealed class TicketNumberSettling(string schema)
    : EventTableTriggers(schema, "tl-numbers", "tl_ticket_number_settle()")
{
    private const string Trigger = "tl_ticket_number_settle";
    private const string LockPrefix = "ticket-number/";
    private const string OfficeSetting = "tl.ticket_number_office";
    private const string YearSetting = "tl.ticket_number_year";
    private const string NumberSetting = "tl.ticket_number";

    protected override string Functions => $$"""
        create or replace function {{Schema}}.tl_ticket_number_reserve(v_office text, v_year integer, v_last integer, v_hold_row boolean)
        returns integer language plpgsql as $$
        declare
          n integer := v_last;
        begin
          if n is null or v_hold_row then
            if v_hold_row then
              select last into n from {{Schema}}.{{TicketNumbers.TableName}} where office = v_office and year = v_year for update;
            else
              select last into n from {{Schema}}.{{TicketNumbers.TableName}} where office = v_office and year = v_year;
            end if;
            n := coalesce(n, 0);
          end if;
          n := n + 1;
          perform pg_advisory_xact_lock(hashtext('{{LockPrefix}}' || v_office || '/' || v_year), n);
          return n;
        end $$;

        create or replace procedure {{Schema}}.tl_ticket_number_claim(v_office text, v_year integer, n integer) language plpgsql as $$
        begin
          perform set_config('{{OfficeSetting}}', v_office, true);
          perform set_config('{{YearSetting}}', v_year::text, true);
          perform set_config('{{NumberSetting}}', n::text, true);
        end $$;

        create or replace function {{Schema}}.tl_ticket_number_settle() returns trigger language plpgsql as $$
        declare
          v_office text := current_setting('{{OfficeSetting}}', true);
          v_year integer := nullif(current_setting('{{YearSetting}}', true), '')::integer;
          n integer := nullif(current_setting('{{NumberSetting}}', true), '')::integer;
        begin
          if n is null then return null; end if;
          perform set_config('{{NumberSetting}}', '', true);
          if n > 1 then
            perform pg_advisory_xact_lock(hashtext('{{LockPrefix}}' || v_office || '/' || v_year), n - 1);
            update {{Schema}}.{{TicketNumbers.TableName}} set last = n where office = v_office and year = v_year and last = n - 1;
          else
            insert into {{Schema}}.{{TicketNumbers.TableName}} (office, year, last) values (v_office, v_year, 1) on conflict (office, year) do nothing;
          end if;
          if not found then
            raise exception 'ticket number %-% of office % is not the next one at the commit', v_year, n, v_office
              using errcode = 'serialization_failure';
          end if;
          return null;
        end $$;
        """;

    protected override IReadOnlyList<(string Name, string Create)> Triggers =>
    [
        (Trigger, $"create constraint trigger {Trigger} after insert on {Schema}.mt_events deferrable initially deferred " +
                  $"for each row when (new.type = '{TicketEvidenceEndpoint.RaisedType}') execute function {Schema}.tl_ticket_number_settle();"),
    ];
}
