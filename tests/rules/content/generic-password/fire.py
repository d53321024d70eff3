import os

TIMEOUT = 30
DB_PASSWORD = "vGz8xXt3^FRzzT"
