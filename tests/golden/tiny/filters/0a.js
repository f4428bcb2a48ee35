window.ArchiveFilter.shard("0a",[["wire-story","Wire story","first-outlet","First Outlet","for","2022-09-01","2022-09-01",""]]);
