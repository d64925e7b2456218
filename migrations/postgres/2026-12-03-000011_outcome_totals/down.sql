DROP TABLE outcome_report_totals;
DROP TABLE outcome_service_totals;
DROP TABLE outcome_country_totals;
DROP TABLE outcome_totals;
