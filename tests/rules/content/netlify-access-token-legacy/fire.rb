require 'json'
NETLIFY_AUTH_TOKEN = 'S5QBBzw72eMUlqX5aQ6ddsJUCVjvypCRZe6dIdue8pt'
