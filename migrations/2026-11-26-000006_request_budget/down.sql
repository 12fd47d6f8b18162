DROP FUNCTION api_budget_take;
DROP TABLE api_budgets;
DROP TABLE api_requests;
