ArchiveTexts.register("old-pamphlet",52,"889JUShIzC3IyEktUbBJssvLL1FIys9JsdFPslNQU6iuVgCJJCqUpOYW5CSWpCrU1nIBAA==");
