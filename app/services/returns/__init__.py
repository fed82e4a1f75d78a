"""Court returns filed into Clio: every returned document into the order's matter, exactly once.

`filer.ReturnsFiler` is a job of the sync engine: after each refresh it files what the court
returned for each decided order into `Returned from <provider>/Order-#######` in the order's Clio
matter, one journalled step at a time (claim → record the step → look up by key → write →
acknowledge). `naming` and `folders` give documents and folders their names and places;
`notices` turns decisions and filings into announcements for the window, the tray and the terminal.
"""
