window.ArchiveFilter.shard("2d",[["wire-story--wire-b","Wire story","second-outlet","Second Outlet","against","2022-09-01~","2022-09-01",""]]);
