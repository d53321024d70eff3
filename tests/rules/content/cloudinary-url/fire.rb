require 'json'
CLOUDINARY_URL = 'cloudinary://6049166898111:nHHr1vL3PIDDl6y_7BYKThtGoOn@ayp7'
