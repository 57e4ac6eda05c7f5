"""Gradio app: upload a leaf, get its disease class."""
import gradio as gr
import torch
import torchvision.transforms as T

from nets import LeafNet

net = LeafNet()
net.load_state_dict(torch.load("weights/leafnet.pt", map_location="cpu", weights_only=True))
net.eval()
prepare = T.Compose([T.Resize((64, 64)), T.ToTensor()])
CLASSES = ["healthy", "rust", "scab", "blight"]


def diagnose(image):
    with torch.no_grad():
        scores = torch.softmax(net(prepare(image).unsqueeze(0)), dim=1)[0]
    return {name: float(s) for name, s in zip(CLASSES, scores)}


gr.Interface(fn=diagnose, inputs=gr.Image(type="pil"), outputs=gr.Label()).launch()
