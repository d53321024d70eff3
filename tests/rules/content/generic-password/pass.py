DB_PASSWORD = "changeme"
DB_PASSWORD = "${DB_PASSWORD}"
PASSWORD = "<password>"
ADMIN_PASSWORD = "aaaaaaaa"
password = os.environ["DB_PASSWORD"]
SMTP_PASSWORD = "your_password_here"
DB_PASSWORD = "DB_PASSWORD_VAR"
