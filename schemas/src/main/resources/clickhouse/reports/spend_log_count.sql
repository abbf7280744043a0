-- How many spend-log rows match {{where}}.
SELECT count() AS n FROM usage_events FINAL{{where}}
