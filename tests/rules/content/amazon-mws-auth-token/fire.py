import os

TIMEOUT = 30
AMAZON_MWS_AUTH_TOKEN = "amzn.mws.bfe7b47e-e2cc-46f9-5c21-799c7fde3d93"
