"""The simulation engine: ``LoyaltyModel(mesa.Model)``, its state, parameters and agents."""
