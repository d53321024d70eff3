import os

TIMEOUT = 30
BREVO_API_KEY = "xsmtpsib-ef14c7d2be9a21d6f222fb068fb1bf8a842d9c0fa8ff9c7b641d45f527eb820d-hpD4FWwPeldXiJ2U"
