# A live payment API key pasted into the function's environment.
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
      STRIPE_API_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dcQw"
    })
  }
}
