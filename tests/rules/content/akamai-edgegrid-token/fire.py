import os

TIMEOUT = 30
AKAMAI_EDGEGRID_TOKEN = "akab-kkog61xukvaq4z39-o8zzknnt35zt41s9"
