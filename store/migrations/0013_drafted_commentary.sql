-- commentary remembers whether it is the dashboard's draft accepted unchanged, so drafted and written words are marked apart everywhere
ALTER TABLE commentary ADD COLUMN drafted BOOLEAN DEFAULT FALSE;
UPDATE commentary SET drafted = FALSE WHERE drafted IS NULL;
