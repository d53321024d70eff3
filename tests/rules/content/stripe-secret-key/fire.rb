require 'json'
STRIPE_SECRET_KEY = 'sk_live_mDyyBi3Zpxn7BfBoaHuCbY9oZANlQ'
