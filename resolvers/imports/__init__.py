"""Import and sync: records of another system (an ERP, a spreadsheet) created or brought up
to date by their external reference, through ``sportello import`` and ``importRecords``
(README "Import and sync")."""
