"""Reception: the embedded SFTP server that takes resellers' uploads into their inboxes."""
