DROP TABLE idempotency_keys;
DROP TABLE ledger_daily_totals;
DROP TABLE ledger_totals;
DROP TABLE ledger_entries;
DROP FUNCTION ledger_entries_immutable();
DROP TABLE contributions;
DROP TABLE pledges;
DROP TABLE exchange_rates;
