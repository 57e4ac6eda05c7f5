import pandas as pd
import pickle

# Load model
with open("churn_model.pkl", "rb") as f:
    model = pickle.load(f)

def predict_churn(customer_data):
    """Predict churn probability for a customer."""
    # Prepare features (same as training)
    features = pd.DataFrame([{
        'tenure_months': customer_data['tenure_months'],
        'order_count': customer_data['order_count'],
        'total_revenue': customer_data['total_revenue'],
        'avg_order_value': customer_data['total_revenue'] / customer_data['order_count'],
        'days_since_last_order': customer_data['days_since_last_order'],
        'support_tickets': customer_data['support_tickets'],
        'email_opens': customer_data['email_opens']
    }])

    return model.predict_proba(features)[0][1]

# Example usage
if __name__ == "__main__":
    customer = {
        'tenure_months': 12,
        'order_count': 5,
        'total_revenue': 500,
        'days_since_last_order': 45,
        'support_tickets': 2,
        'email_opens': 10
    }
    prob = predict_churn(customer)
    print(f"Churn probability: {prob:.2%}")
