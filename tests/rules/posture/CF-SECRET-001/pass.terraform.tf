# The function gets the ARN of the secret and reads the key at start.
resource "aws_iam_role" "billing" {
  name = "billing"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

locals {
  common_env = {
    LOG_LEVEL = "info"
  }
}

resource "aws_lambda_function" "billing" {
  function_name = "billing"
  role          = aws_iam_role.billing.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/billing.zip"
  memory_size   = 256
  timeout       = 30

  environment {
    variables = merge(local.common_env, {
      STRIPE_API_KEY = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:prod/stripe-9Qz1Lm"
    })
  }
}
