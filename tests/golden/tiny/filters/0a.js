window.ArchiveFilter.shard("0a",[["wire-story--wire-a","Wire story","first-outlet","First Outlet","for","2022-09-01","2022-09-01",""]]);
