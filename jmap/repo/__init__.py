"""Maps in a repository: finding them (``discover``), building a folder of
renders with its cache and lock (``build``), writing files safely
(``files``), reading versions from git (``git``), comparing two versions
(``diff``) and writing the comparison (``diff_report``)."""
