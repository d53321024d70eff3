require 'json'
SUPABASE_SECRET_KEY = 'sb_secret_kghf99H0lILj8RKzfHx9Hu7KvklHEm_5'
