window.ArchiveFilter.shard("0f",[["report-zh","报告","mou-chu-ban-she","某出版社","against","2021?","2021-01-01","zh-Hans"]]);
