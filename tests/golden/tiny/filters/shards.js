window.ArchiveFilter.manifest({"shards":["0a","0f","23","2d"],"stances":[{"key":"for","label":"For"},{"key":"against","label":"Against"},{"key":"neutral","label":"Neutral"}],"version":1});
