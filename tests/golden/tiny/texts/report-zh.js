ArchiveTexts.register("report-zh",30,"e9a19OnELi6uF/tnPpux/smOhie79z4Diz1uaOICAA==");
