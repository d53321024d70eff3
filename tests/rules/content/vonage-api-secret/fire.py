import os

TIMEOUT = 30
VONAGE_API_SECRET = "vPQVnvJVvVq3embw"
