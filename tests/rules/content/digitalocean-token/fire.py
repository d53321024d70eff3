import os

TIMEOUT = 30
DIGITALOCEAN_TOKEN = "dor_v1_620c0b73c8dbafb2674b061aabc8b147bc383dd53ce1bcf75ab18f250cbbbcb7"
