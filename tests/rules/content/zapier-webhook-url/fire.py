import os

TIMEOUT = 30
ZAPIER_WEBHOOK_URL = "https://hooks.zapier.com/hooks/catch/49494/jd55hd/"
