-- an upload keeps the file name exactly as given beside the safe name it is shown by
ALTER TABLE uploads ADD COLUMN original_file_name VARCHAR;
UPDATE uploads SET original_file_name = file_name;
