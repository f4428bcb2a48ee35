ArchiveTexts.register("wire-story--wire-a",61,"C88sSlUoLskvquTiCskAMhNzUxXK4YI6ConFCkWleQpJlQolQOm0zKLiEoX80pKc1BI9LgA=");
