window.ArchiveFilter.shard("23",[["old-pamphlet","Old pamphlet","first-outlet","First Outlet","for","1999-12","1999-12-01",""]]);
