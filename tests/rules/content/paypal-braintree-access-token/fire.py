import os

TIMEOUT = 30
PAYPAL_BRAINTREE_ACCESS_TOKEN = "access_token$production$it9mlrvjeoy6axds$90860b6a4066a361f71e90fb88fcb859"
